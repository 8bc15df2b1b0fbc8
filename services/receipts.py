"""Visitor passes on the counter's receipt printer: a PDF sized for 58 or 80 mm paper (any
printer the tablet can print to), or ESC/POS straight to a network printer: python-escpos
writes the commands (its Dummy printer collects them) and they go out over one TCP connection
to the printer's raw port."""
import socket

WIDTHS = {58: 32, 80: 48}  # paper width in mm -> characters a line in the printer's font A


class PrinterError(Exception):
    """The receipt printer could not be reached or refused the job."""


def parse_address(address):
    """("host", port) from "host:port" (port 9100 when left out); ValueError when malformed."""
    host, _, port = (address or "").strip().rpartition(":")
    if not host:
        host, port = port, "9100"
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(address)
    return host, int(port)


def pass_commands(title, lines, code):
    """The ESC/POS bytes of one pass: the title large, `lines` of (label, value), the QR code
    holding `code`, its number, then the cut. Chinese goes out in the printer's GB encoding."""
    from escpos.printer import Dummy  # (with Pillow and qrcode: 10 MB no other page needs)
    printer = Dummy()
    printer.set(align="center", bold=True, double_height=True, double_width=True)
    printer.textln(title)
    printer.set(align="left", bold=False, normal_textsize=True)
    for label, value in lines:
        printer.textln(f"{label}: {value}")
    printer.set(align="center")
    printer.qr(code, size=6, native=True)
    printer.textln(code.partition(".")[0])
    printer.cut()
    return printer.output


def print_pass(address, title, lines, code, timeout=5):
    """Send one pass to the printer at "host:port"; PrinterError when it cannot be reached."""
    from escpos.exceptions import Error as EscposError
    host, port = parse_address(address)
    try:
        commands = pass_commands(title, lines, code)
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(commands)
    except (OSError, EscposError) as failed:
        raise PrinterError(str(failed)) from failed
