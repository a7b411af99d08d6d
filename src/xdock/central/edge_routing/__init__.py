"""The edges' offline routing tables: snapshots of central's plan, shares of trailers, published per edge."""
