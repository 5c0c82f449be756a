"""The API's contract, shared by the server and the remote client: the operations (use cases a
store can run for the GUI and the command line), their wire codec, and the mapping of errors
to HTTP statuses and back. Above the use cases, beside ``ui``, ``cli`` and ``server``."""
