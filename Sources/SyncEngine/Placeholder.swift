enum _PlaceholderSyncEngine {}
