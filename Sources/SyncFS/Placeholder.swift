enum _PlaceholderSyncFS {}
