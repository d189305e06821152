// The README's Maven snippet for the starter, as a user copies it.
snippetFile = 'README.md'
snippetArtifactId = 'thousand-island-spring-boot-starter'
return evaluate(new File(repositoryRoot, 'thousand-island-consumer-tests/src/it/ConsumerProject.groovy'))
