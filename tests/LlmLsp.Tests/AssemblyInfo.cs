// llama.cpp already uses every core for one decode; tests that generate in parallel (in-process engines or
// child processes) oversubscribe the CPU and slow each other down by orders of magnitude. Run them in order.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
