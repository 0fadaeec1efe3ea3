"""The law library's screens (查法律): topics, texts, articles, one article, search."""
