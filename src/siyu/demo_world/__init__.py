"""The demo source world: a deterministic generator of the files a group's sources deliver,
their defects, and an HTTP simulator of the sources' APIs. Only the CLI, tests and benchmarks
import it; production code never does."""
