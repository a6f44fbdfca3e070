"""Document identity rules: exact text hashes and MinHash signatures (their rows live in store/)."""
