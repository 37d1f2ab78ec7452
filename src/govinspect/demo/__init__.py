"""The demo province: generated government sites with planted problems (farm), served on loopback (server).

Import ``govinspect.demo.farm`` / ``govinspect.demo.server`` directly; nothing is built at import time.
"""
