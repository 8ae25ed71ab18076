"""Per-workspace text templates and hashtag sets, inserted into a publication's texts."""
