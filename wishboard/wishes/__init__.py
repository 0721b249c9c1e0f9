"""Wishes (微心愿 / 服务项目) and claims: publishing, the state machine, claiming, releasing,
completing, confirming hours, closing, and the wish page's story."""
