"""Self-service look-up of the law (自助查询): the library, search, topics, guides and calculators."""
