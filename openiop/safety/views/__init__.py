"""Pages of the crisis pathway, one module per part: alerts, brief assessments, the safety board,
safety plans, the on-call rota."""
