"""What every room shares: settings from the environment, secrets, the warehouse."""
