// An application as a new Spring Boot user writes it from the README: the starter's snippet, the test support's
// snippet (docs/testing.md), Spring MVC from start.spring.io, camelCase Handler beans configured in kebab case,
// a @Component handler, and a client of its own server (src/it/names-app).
snippetFile = 'README.md'
snippetArtifactId = 'thousand-island-spring-boot-starter'
testSnippets = [['docs/testing.md', 'thousand-island-spring-boot-test']]
extraDependencies = '''
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-webmvc</artifactId>
    </dependency>
'''
appSources = 'names-app'
return evaluate(new File(repositoryRoot, 'thousand-island-consumer-tests/src/it/ConsumerProject.groovy'))
