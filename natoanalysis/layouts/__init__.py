"""Publisher-specific readers that turn the cell model into value records."""
