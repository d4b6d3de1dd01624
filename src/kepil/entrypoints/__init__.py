"""Entry points: HTTP API, web pages and the command line. They build commands and render."""
