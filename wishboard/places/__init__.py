"""Places: the district/street/community/grid tree, the local units' party organisations
(报到党组织) and the service categories."""
