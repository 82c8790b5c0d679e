"""The command-line layer of dnaaug (installed as ``dnaaug_cli``): thin click commands over the library."""
