"""The HTML report is self-contained and escapes what it is given."""

import base64

from estate.report import Figure, Report, Table, render

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def test_report_embeds_images_and_marks_pass_fail(tmp_path):
    png = tmp_path / "p.png"
    png.write_bytes(PNG)
    page = render(Report("Estate <A>", "sub", ["relaxed plan"], [
        Table("Compliance", ["rule", "passed", "required"], [["CQ-73 §一(一)", True, 3000], ["x", False, 1.5]]),
        Figure("Occupancy", png)]))
    assert "Estate &lt;A&gt;" in page
    assert '<td class="pass">pass</td>' in page and '<td class="fail">FAIL</td>' in page
    assert '<td class="num">3,000</td>' in page and '<td class="num">1.50</td>' in page
    assert "data:image/png;base64," + base64.b64encode(PNG).decode() in page
    assert "src='http" not in page and 'href="http' not in page
    assert "relaxed plan" in page
