"""Guided tours of the seed scenarios: the data (`model`), what a build makes (`build`), the player
(`engine`). No Textual here: the dashboard's tour pane drives a `engine.TourRun` from its workers."""
