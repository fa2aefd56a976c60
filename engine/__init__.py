"""The ClusterDx scoring engine: the checklist as data, a cluster profile, the scoring, the
resemblance and the ranking. Standard library only, no Django (a test holds every module of
the package to that), so the engine can be run and tested on its own."""
