"""summitbot: answers questions about tech summits, IoT expos and ITU events from sourced facts."""

__version__ = "0.1.0"
