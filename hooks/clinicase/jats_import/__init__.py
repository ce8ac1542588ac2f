"""Import a published case report from its JATS XML into a draft case and its references."""
