"""Great Expectations suites over the raw tables and their runner."""
