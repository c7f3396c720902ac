# SPDX-License-Identifier: MIT
"""Monitoring and alerts: scheduled live analysis per condenser, alert rules (pure state
machine in :mod:`.rules`), durable outbox (:mod:`.outbox`) and delivery through
:mod:`connectors.notify`. Entry points: ``condensync monitor`` and
``condensync serve --transport http --monitor``."""
