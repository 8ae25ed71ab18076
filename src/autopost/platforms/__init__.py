"""Platform adapters (providers) and what each platform allows."""
