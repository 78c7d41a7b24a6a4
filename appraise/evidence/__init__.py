"""Evidence: a study's text, and proposed answers to signalling questions with their quotes."""
