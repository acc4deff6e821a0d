"""Pure text work on articles: page → blocks → clean → sections → summaries.  No I/O here."""
