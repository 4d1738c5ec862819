"""Course maintenance tools, run through the `russia-china` command."""
