"""Qt item models: one table model per view, plus the queue's sort/filter proxy."""
