# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The embedded sandbox: a local AWS (moto's server, patched) and, later, a local GitLab, on loopback."""
