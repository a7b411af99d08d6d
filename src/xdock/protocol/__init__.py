"""The contract between edge and central: topic tree, message models, GS1 identifiers, clocks.

Pure code: nothing here opens a socket, a file or a device.
"""
