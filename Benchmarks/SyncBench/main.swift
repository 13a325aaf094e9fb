print("sync-bench")
