"""The release actions, one module per verb (Helm's ``pkg/action``): build with a
``Configuration`` and options, then call ``run``."""
