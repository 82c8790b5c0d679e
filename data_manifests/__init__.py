"""Dataset manifests (JSON, one per dataset): read through :mod:`dnaaug.data.manifest`."""
