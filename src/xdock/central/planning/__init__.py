"""The re-plan rounds: when to re-plan, the CP-SAT worker that does it, and handing the result to the site core."""
