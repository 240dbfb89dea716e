"""The English detector's network, its bundle on disk, training and calibration; the bundled model directories.

Import the modules themselves (``spinscope.models.bundle`` loads torch);
this package's own import stays light.
"""
