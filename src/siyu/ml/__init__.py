"""Statistical models fitted over the marts' inputs (BG/NBD)."""
