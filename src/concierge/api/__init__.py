"""HTTP plumbing shared by every REST router: problems, dependencies, paging."""
