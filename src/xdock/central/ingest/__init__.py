"""What edges send over MQTT, checked and handed to the site core; junk counted and refused."""
