"""`pyhelm cluster serve` refuses bad input with one Error line."""

from __future__ import annotations

import socket


def test_a_taken_port_is_one_error_line(pyhelm, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = pyhelm("cluster", "serve", "--port", str(port),
                        "--kubeconfig-out", str(tmp_path / "kc"))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use; choose another "
        "port with --port (0 lets the OS choose)")
    assert not (tmp_path / "kc").exists()


def test_a_port_out_of_range_is_a_usage_error(pyhelm):
    result = pyhelm("cluster", "serve", "--port", "70000")
    assert result.returncode == 2
    assert result.stderr.strip() == ("Error: --port 70000 is out of range: use 1-65535, or 0 to "
                                     "let the OS choose")
