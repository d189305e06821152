// The BOM snippet of docs/getting-started-build.md: import thousand-island-bom, then the starter without a version.
snippetFile = 'docs/getting-started-build.md'
snippetArtifactId = 'thousand-island-bom'
return evaluate(new File(repositoryRoot, 'thousand-island-consumer-tests/src/it/ConsumerProject.groovy'))
