"""Use cases over a unit of work and the ports: decide an order, submit approved orders,
tell approvers what waits for them. Flows, CLI commands and the review page call these,
so each rule lives in one place whatever the channel."""
