"""写文书: the screens of the documents feature."""
