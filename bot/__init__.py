"""Language helpers around the Rasa model: spaCy pipeline, place/age context, crisis patterns."""
