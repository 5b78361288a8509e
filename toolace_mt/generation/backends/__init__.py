"""What answers each generation stage: the interface, the offline backend and the openai backend."""
