"""The SPARQL 1.1 Protocol and Graph Store Protocol over the embedded store."""
