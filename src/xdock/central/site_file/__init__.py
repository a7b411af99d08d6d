"""The site file: doors, areas, destinations, trailers, rules and sensors of one site, validated."""
