"""One module per `estate` command."""
