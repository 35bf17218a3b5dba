"""The application layer: the `estate` command line and (in later work) the pipeline that chains the
engines, the report and the output file formats. Imports sim, optimize, scenarios and standards;
nothing imports it but the app."""
