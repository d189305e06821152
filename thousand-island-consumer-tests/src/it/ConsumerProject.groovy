// Writes a consumer application into `basedir`: a start.spring.io-style pom.xml whose Thousand Island
// dependencies are exactly the first ```xml block of `snippetFile` (relative to the repository root) that names
// `snippetArtifactId`, plus the sources of src/it/echo-app. Evaluated by each consumer's setup.groovy, which
// sets snippetFile and snippetArtifactId; basedir, repositoryRoot, springBootVersion and javaVersion come from
// the invoker plugin. A setup.groovy may also set `appSources` (another directory of src/it to copy instead of
// echo-app), `testSnippets` (more [file, artifactId] snippets, such as the test support's) and
// `extraDependencies` (plain <dependency> elements a user adds from start.spring.io, such as a web starter).
import java.nio.file.Files
import java.nio.file.StandardCopyOption

String snippetOf(String file, String artifactId) {
    File source = new File(repositoryRoot, file)
    def blocks = (source.text =~ /(?ms)^```xml[ \t]*\r?\n(.*?)^```/).collect { it[1] }
    String found = blocks.find { it.contains("<artifactId>${artifactId}</artifactId>") }
    if (found == null) {
        throw new IllegalStateException("${file} has no ```xml block naming ${artifactId}; "
                + 'the consumer-app test builds an application from that snippet, so it must exist as users see it')
    }
    return found
}

String snippet = snippetOf(snippetFile, snippetArtifactId)
String more = binding.hasVariable('testSnippets')
        ? testSnippets.collect { snippetOf(it[0], it[1]).replaceAll(/<\/?dependencies>/, '') }.join('\n') : ''
String extra = binding.hasVariable('extraDependencies') ? extraDependencies : ''
String appDirectory = binding.hasVariable('appSources') ? appSources : 'echo-app'

// A snippet is <dependency> elements, a <dependencies> element, a <dependencyManagement> element, or both.
String managed = ''
def management = snippet =~ /(?s)<dependencyManagement>\s*<dependencies>(.*?)<\/dependencies>\s*<\/dependencyManagement>/
if (management.find()) {
    managed = management.group(1)
    snippet = snippet.substring(0, management.start()) + snippet.substring(management.end())
}
String direct = snippet.replaceAll(/<\/?dependencies>/, '')

String managementSection = managed.trim() ? """
  <dependencyManagement>
    <dependencies>
${managed}
    </dependencies>
  </dependencyManagement>
""" : ''

new File(basedir, 'pom.xml').text = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by ConsumerProject.groovy: the Thousand Island part is copied from ${snippetFile}. -->
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>${springBootVersion}</version>
    <relativePath/>
  </parent>
  <groupId>com.example</groupId>
  <artifactId>${basedir.name}</artifactId>
  <version>1.0.0</version>
  <properties>
    <java.version>${javaVersion}</java.version>
  </properties>
${managementSection}
  <dependencies>
${direct}
${more}
${extra}
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-test</artifactId>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.springframework.boot</groupId>
        <artifactId>spring-boot-maven-plugin</artifactId>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-failsafe-plugin</artifactId>
      </plugin>
    </plugins>
  </build>
</project>
"""

File app = new File(repositoryRoot, "thousand-island-consumer-tests/src/it/${appDirectory}")
app.eachFileRecurse { File file ->
    if (file.isFile()) {
        File target = new File(basedir, app.toPath().relativize(file.toPath()).toString())
        target.parentFile.mkdirs()
        Files.copy(file.toPath(), target.toPath(), StandardCopyOption.REPLACE_EXISTING)
    }
}
println "consumer project ${basedir.name}: dependencies from ${snippetFile}:\n${managed}${direct}${more}${extra}"
return true
