bargain: option '--results-dir <dir>' argument missing
B rc 2
