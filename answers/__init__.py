"""Answer templates (modèles de réponse, issue 18 item 2): texts per programme, category and
outcome, in French and Arabic, with placeholders filled from the grievance, and the SMS
counter that tells the agent how many messages the answer will cost."""
